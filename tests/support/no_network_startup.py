# IPython start-up file installed by the test suite's conftest.py into a private
# IPYTHONDIR, so every kernel the tests start (nbval, the grader, nbclient) runs with the
# network cut off.  Loopback stays open: Jupyter's own ZeroMQ channels and the browser
# test's local server use it.  A notebook that reaches for the internet fails loudly here
# instead of passing on a developer's machine and failing in a classroom without Wi-Fi.
import ipaddress as _ipaddress
import socket as _socket

_MESSAGE = "network access is blocked while the course's tests run (tried {!r})"


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in (None, "", "localhost"):
        return True
    try:
        return _ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(address, family):
    if family in (_socket.AF_INET, _socket.AF_INET6) and not _is_local(address[0]):
        raise ConnectionRefusedError(_MESSAGE.format(address))


_connect = _socket.socket.connect
_connect_ex = _socket.socket.connect_ex
_getaddrinfo = _socket.getaddrinfo


def _guarded_connect(self, address):
    _guard(address, self.family)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    _guard(address, self.family)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_local(host):
        raise _socket.gaierror(_MESSAGE.format(host))
    return _getaddrinfo(host, *args, **kwargs)


_socket.socket.connect = _guarded_connect
_socket.socket.connect_ex = _guarded_connect_ex
_socket.getaddrinfo = _guarded_getaddrinfo
_socket.COURSE_NETWORK_BLOCKED = True
