"""The 기술사 exam pack (exam/): structure, facts, the seed's mistakes kept out, worked numbers
that agree with course_lib, and a one-page summary that is up to date."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib.quiz import load_questions
from course_lib.quiz.summary import OPTIMIZERS

ROOT = Path(__file__).resolve().parents[1]
EXAM = ROOT / "exam"
TOPICS = sorted((EXAM / "topics").glob("*.md"))
PRACTICE = sorted((EXAM / "practice").glob("*.md"))
CHAPTER = ROOT / "notebooks" / "_source" / "11_exam_review.txt"


def _pack_files() -> list[Path]:
    files = sorted(EXAM.rglob("*.md")) + sorted(EXAM.glob("*.html"))
    return files + ([CHAPTER] if CHAPTER.exists() else [])


def _visible_text(path: Path) -> str:
    """The text a reader sees: HTML without its style sheet, one element per line."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        text = re.sub(r"<[^>]+>", "\n", text)
    return text


@functools.cache
def _pack_lines() -> tuple[tuple[str, str], ...]:
    """Every visible line of the pack, read once per test session (the files do not change)."""
    return tuple((f"{p.relative_to(ROOT)}:{i}", line)
                 for p in _pack_files()
                 for i, line in enumerate(_visible_text(p).splitlines(), start=1))


def _load_render_script():
    spec = importlib.util.spec_from_file_location("render_summary", EXAM / "render_summary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ topic sheets
KO_SECTIONS = ["### Ⅰ. 개요", "### Ⅱ. 구성 요소와 원리", "### Ⅲ. 비교", "### Ⅳ. 적용",
               "### Ⅴ. 기대 효과와 결론", "### 참고문헌"]
EN_SECTIONS = ["### I. Overview", "### II. Components and principles", "### III. Comparison",
               "### IV. Application", "### V. Expected effects and conclusion", "### References"]


def _halves(path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    ko_at, en_at = text.index("## 한국어"), text.index("## English")
    assert ko_at < en_at, f"{path.name}: Korean must come first"
    return text[ko_at:en_at], text[en_at:]


def test_at_least_eight_topic_sheets_covering_the_syllabus():
    assert len(TOPICS) >= 8
    titles = " ".join(p.read_text(encoding="utf-8").splitlines()[0] for p in TOPICS)
    for needle in ["overview", "mini-batch", "scheduling", "Nesterov", "AdaGrad", "RMSprop",
                   "AdamW", "clipping", "LR range test", "linear scaling", "LARS", "LAMB",
                   "second-order", "learning-rate-free", "Vanishing and exploding",
                   "initialisation", "normalisation", "residual", "Backpropagation",
                   "Regularisation", "generalisation", "Distributed", "memory-efficient",
                   "Newer optimizers", "RAdam", "Adafactor", "8-bit", "Lion", "schedule-free",
                   "Shampoo"]:
        assert needle in titles, f"no topic sheet on {needle}"
    body = " ".join(p.read_text(encoding="utf-8") for p in TOPICS)
    for needle in ["K-FAC", "Shampoo", "D-Adaptation", "Prodigy", "Newton", "L-BFGS",
                   "natural gradient", "자연 기울기", "준뉴턴", "batch norm", "층 정규화",
                   "SAM", "dropout", "드롭아웃", "ZeRO", "FSDP", "tensor parallel",
                   "pipeline parallel", "gradient accumulation", "기울기 누적", "혼합 정밀도",
                   "asynchronous", "비동기식", "기울기 소실"]:
        assert needle in body, f"the sheets never mention {needle}"


@pytest.mark.parametrize("path", TOPICS, ids=lambda p: p.name)
def test_topic_sheet_follows_the_answer_structure_in_both_languages(path):
    ko, en = _halves(path)
    for half, sections in ((ko, KO_SECTIONS), (en, EN_SECTIONS)):
        positions = [half.find(s) for s in sections]
        assert -1 not in positions, f"{path.name}: missing {sections[positions.index(-1)]}"
        assert positions == sorted(positions), f"{path.name}: sections out of order"
        sketches = re.findall(r"```\n(.*?)```", half, flags=re.S)
        assert sketches and any(re.search("[→↓↑─]", s) for s in sketches), \
            f"{path.name}: no box-and-arrow sketch"
        refs = half[half.index(sections[-1]):]
        assert re.search(r"(19|20)\d\d", refs), f"{path.name}: references without years"
        assert "|---|" in half, f"{path.name}: no comparison table"


@pytest.mark.parametrize("path", TOPICS, ids=lambda p: p.name)
def test_topic_sheet_fits_one_page_per_language(path):
    # a quick proxy; tests/browser/test_print_edition.py measures each printed A4 page
    for half in _halves(path):
        assert len(half.splitlines()) <= 55 and len(half) <= 4200


# --------------------------------------------------------------- practice questions
QUESTION = re.compile(r"^## ([QL]\d\d) \[(\d+)점 / (\d+) points\]", flags=re.M)
PARTS = ["### 문제", "### 모범 답안", "### 채점 포인트", "### Question", "### Model answer",
         "### Grading points"]


def _questions() -> list[tuple[str, int, str]]:
    out = []
    for path in PRACTICE:
        text = path.read_text(encoding="utf-8")
        heads = list(QUESTION.finditer(text))   # README.md holds none
        for h, nxt in zip(heads, [*heads[1:], None], strict=False):
            assert h.group(2) == h.group(3)
            out.append((h.group(1), int(h.group(2)), text[h.end(): nxt.start() if nxt else None]))
    return out


def test_at_least_twenty_practice_questions_short_and_long():
    qs = _questions()
    assert len(qs) >= 20
    assert len({q[0] for q in qs}) == len(qs), "duplicate question ids"
    points = [p for _, p, _ in qs]
    assert points.count(10) >= 8 and points.count(25) >= 5
    assert set(points) == {10, 25}


@pytest.mark.parametrize("qid,points,body", _questions(), ids=[q[0] for q in _questions()])
def test_practice_question_has_answer_and_grading_points_that_add_up(qid, points, body):
    positions = [body.find(p) for p in PARTS]
    assert -1 not in positions and positions == sorted(positions), f"{qid}: parts missing"
    ko_grading = body[positions[2]:positions[3]]
    en_grading = body[positions[5]:]
    assert sum(map(int, re.findall(r"\((\d+)점\)", ko_grading))) == points, qid
    assert sum(map(int, re.findall(r"\((\d+)\)\s*$", en_grading, flags=re.M))) == points, qid
    if points == 25:   # long answers follow the five-part structure in both languages
        for mark in ["**Ⅰ. 개요**", "**Ⅱ.", "**Ⅲ.", "**Ⅳ.", "**Ⅴ.", "**I. Overview**", "**II.",
                     "**III.", "**IV.", "**V."]:
            assert mark in body, f"{qid}: missing {mark}"


# ------------------------------------------------------- the seed's mistakes kept out
def _unquoted(line: str) -> str:
    """The line without quoted statements (a question may quote a wrong claim to assess)."""
    return re.sub(r"\"[^\"]*\"|“[^”]*”|'[^']*'", "", line)


def test_no_seed_typo_or_non_glossary_spelling():
    for where, line in _pack_lines():
        assert "폐해" not in line, where             # the seed's typo for 폐형 (closed-form)
        assert "경사하강법" not in line, where       # glossary: 경사 하강법


def test_adabound_is_never_called_learning_rate_free():
    lr_free = re.compile(r"learning[- ]rate[- ](free|없는)|학습률 없는|학습률이 필요 없는",
                         flags=re.I)
    negated = re.compile(
        r"\bnot\b|has a learning rate|아니|아님|학습률이 있|필요|wrong|틀|구분|distinction")
    hits = 0
    for where, line in _pack_lines():
        text = _unquoted(line)
        if "AdaBound" in text and lr_free.search(text):
            hits += 1
            assert negated.search(text), f"{where}: AdaBound next to learning-rate-free: {line}"
    assert hits >= 2, "the pack should say explicitly that AdaBound is not learning-rate-free"


def test_no_wrong_linear_scaling_value():
    # 0.004 next to a batch size is the seed's wrong linear-scaling value unless the line says
    # it is wrong; elsewhere it is just a number (NAdam's momentum_decay, chapter 08's lr).
    about_batches = re.compile(r"배치|batch|스케일링|scaling", flags=re.I)
    marked_wrong = re.compile(r"틀|아님|아니|wrong|\bnot\b|neither")
    for where, line in _pack_lines():
        if re.search(r"(?<!momentum_decay=)0\.004", line) and about_batches.search(line):
            assert marked_wrong.search(line), \
                f"{where}: linear scaling 32 → 256 from 0.001 gives 0.008"
    planted = "배치 32 → 256: 학습률 0.001 → 0.004 (선형 스케일링)"
    assert about_batches.search(planted) and not marked_wrong.search(planted)


def test_gpt4_figures_only_as_unofficial_estimates():
    label = re.compile(r"비공식|unofficial|비공개|공개되지|not published|not disclosed")
    for where, line in _pack_lines():
        if "GPT-4" in line:
            assert label.search(line), f"{where}: GPT-4 mentioned without 'unofficial': {line}"


def test_no_unsourced_percentage_or_speedup_claims():
    claim = re.compile(r"\d\s*%|\d\s*[~–-]\s*\d+\s*(배|×|x\b)")
    flagged = re.compile(r"주장|claim|출처|source|측정|measur|사실이 아니|not facts")
    for where, line in _pack_lines():
        if claim.search(line):
            assert flagged.search(line), f"{where}: unsourced figure: {line}"


def test_step_decay_uses_the_floor_and_warmup_starts_above_zero():
    for where, line in _pack_lines():
        if "γ^(t/s)" in line:
            assert re.search(r"감점|loses|wrong|틀|not", line), f"{where}: γ^(t/s) as step decay"
        if "η₀·t/W" in line or "η₀·t / T_warmup" in line:
            assert re.search(r"문제|학습되지|flaw|wastes|= 0", line), f"{where}: warmup at 0"


REQUIRED_REFERENCES = [
    r"Robbins & Monro.{0,3}1951", r"Polyak.{0,3}1964", r"Nesterov.{0,3}1983",
    r"Duchi.{0,25}2011", r"Hinton.{0,40}2012", r"Kingma & Ba.{0,3}2015",
    r"Loshchilov & Hutter.{0,3}2019", r"Smith.{0,3}2017", r"Smith.{0,12}2018",
    r"Goyal et al\..{0,3}2017", r"You, Gitman & Ginsburg.{0,3}2017", r"You et al\..{0,3}2020",
    r"Reddi.{0,20}2018", r"Dozat.{0,3}2016", r"Zeiler.{0,3}2012", r"Luo et al\..{0,3}2019",
    r"Defazio & Mishchenko.{0,3}2023", r"Mishchenko & Defazio.{0,3}2024",
    r"Martens & Grosse.{0,3}2015", r"Gupta.{0,20}2018",
    # sheets 10-15
    r"Glorot & Bengio.{0,3}2010", r"He et al\..{0,3}2015", r"Ioffe & Szegedy.{0,3}2015",
    r"Ba, Kiros & Hinton.{0,3}2016", r"Rumelhart, Hinton & Williams.{0,3}1986",
    r"Foret et al\..{0,3}2021", r"Micikevicius et al\..{0,3}2018",
    r"Rajbhandari et al\..{0,3}2020", r"Liu et al\..{0,3}2020", r"Shazeer & Stern.{0,3}2018",
    r"Dettmers et al\..{0,3}2022", r"Chen et al\..{0,3}2023", r"Defazio et al\..{0,3}2024",
    r"Liu & Nocedal.{0,3}1989", r"Amari.{0,3}1998", r"Ma & Yarats.{0,3}2021",
    r"Prechelt.{0,3}1998", r"Goodfellow, Bengio & Courville.{0,3}2016",
]


@pytest.mark.parametrize("pattern", REQUIRED_REFERENCES)
def test_required_sources_are_cited_by_author_and_year(pattern):
    text = "\n".join(line for _, line in _pack_lines())
    assert re.search(pattern, text), f"missing citation {pattern}"


# -------------------------------------- worked numbers agree with course_lib's answers
WORKED = [  # (file, number as written, quiz item whose inputs are the same)
    ("practice/short_10pt.md", "0.025", "nu10"),
    ("practice/short_10pt.md", "0.008", "nu14"),
    ("practice/short_10pt.md", "1.4", "nu05"),
    ("practice/short_10pt.md", "0.76", "nu06"),
    ("practice/short_10pt.md", "0.9", "nu01"),
    ("practice/short_10pt.md", "0.256", "nu17"),
    ("practice/short_10pt.md", "0.02", "nu13"),
    ("practice/long_25pt.md", "0.634", "nu07"),
    ("topics/06_adam_adamw.md", "1.88", "nu03"),
    ("topics/06_adam_adamw.md", "1.90", "nu04"),
    ("topics/08_tuning_lr_range_test_linear_scaling.md", "0.2", "nu15"),
]


@pytest.mark.parametrize("rel,number,qid", WORKED, ids=[w[2] for w in WORKED])
def test_worked_numbers_match_course_lib(rel, number, qid):
    text = (EXAM / rel).read_text(encoding="utf-8")
    assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text), f"{number} not in {rel}"
    answer = next(q.answer for q in load_questions("en") if q.id == qid)
    assert float(number) == pytest.approx(answer, rel=1e-3)


def test_momentum_rate_example_on_a_quadratic():
    # Sheet 04 quotes κ = 100: (κ−1)/(κ+1) ≈ 0.980 and (√κ−1)/(√κ+1) ≈ 0.818.
    from course_lib.landscapes import quadratic

    bowl = quadratic(condition_number=100.0)
    kappa = bowl.L / bowl.mu
    assert (kappa - 1) / (kappa + 1) == pytest.approx(0.980, abs=5e-4)
    assert (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1) == pytest.approx(0.818, abs=5e-4)
    text = (EXAM / "topics" / "04_momentum_nag.md").read_text(encoding="utf-8")
    assert "0.98" in text and "0.82" in text


# ------------------------------------------------------------ the one-page summary
def test_summary_pages_are_up_to_date():
    render = _load_render_script()
    for lang in ("ko", "en"):
        committed = (EXAM / f"summary_{lang}.html").read_text(encoding="utf-8")
        assert committed == render.render_summary_html(lang), \
            f"exam/summary_{lang}.html is stale: run python exam/render_summary.py"
    assert render.main(["--check"]) == 0


def test_summary_content():
    page = (EXAM / "summary_en.html").read_text(encoding="utf-8")
    for needle in ["Adam", "AdamW", "RMSprop", "AdaGrad", "LAMB", "StepLR", "⌊t/s⌋", "0.008",
                   "0.025", "2/L", "unofficial"]:
        assert needle in page
    assert "그래서" not in page and "경사 하강법" in (EXAM / "summary_ko.html").read_text("utf-8")


@pytest.mark.parametrize("row", OPTIMIZERS, ids=lambda r: r.name)
def test_state_memory_column_matches_course_lib_optimizers(row):
    import course_lib.optim as optim

    params = [np.ones(5), np.ones((2, 3))]
    opt = getattr(optim, row.cls)(params, **row.kwargs)
    opt.step([np.full_like(p, 0.5) for p in params])
    for k, p in enumerate(params):
        arrays = [v for v in opt.state.get(k, {}).values()
                  if isinstance(v, np.ndarray) and v.shape == p.shape]
        assert len(arrays) == row.state, f"{row.name}: table says {row.state}, keeps {len(arrays)}"


def test_warmup_fix_matches_pytorch_linear_lr_as_written():
    # Practice Q04: η₀·(t + 1)/W for t < W is LinearLR(start_factor=1/W, total_iters=W − 1).
    import warnings

    from course_lib.optim import SGD
    from course_lib.optim.lr_scheduler import LinearLR

    lr0, W = 0.1, 5
    opt = SGD([np.zeros(1)], lr=lr0)
    with warnings.catch_warnings():   # stepping the scheduler alone, to read its values
        warnings.simplefilter("ignore", UserWarning)
        sched = LinearLR(opt, start_factor=1 / W, total_iters=W - 1)
        values = []
        for _ in range(W):
            values.append(opt.param_groups[0]["lr"])
            sched.step()
    assert values == pytest.approx([lr0 * (t + 1) / W for t in range(W)], rel=1e-12)
    text = (EXAM / "practice" / "short_10pt.md").read_text(encoding="utf-8")
    assert text.count("LinearLR(start_factor=1/W, total_iters=W − 1)") == 2


# ------------------------------------------------------------ the comparison tables
def test_warmup_row_names_the_linear_lr_that_gives_its_formula():
    # The row's formula η₀·(t + 1)/W (t < W), then η₀, computed by hand; the PyTorch column
    # is parsed and run through course_lib's LinearLR (PyTorch semantics).
    import warnings

    from course_lib.optim import SGD
    from course_lib.optim.lr_scheduler import LinearLR
    from course_lib.quiz.summary import SCHEDULES

    row = next(r for r in SCHEDULES if r.name[1] == "linear warmup")
    assert row.formula.startswith("η₀·(t + 1)/W")
    args = re.fullmatch(r"LinearLR\((.*)\)", row.torch).group(1)
    lr0 = 0.1
    for W in (2, 5, 10):
        kwargs = {}
        for arg in args.split(", "):
            name, expr = arg.split("=")
            kwargs[name] = eval(expr.replace("−", "-"), {"__builtins__": {}}, {"W": W})
        opt = SGD([np.zeros(1)], lr=lr0)
        with warnings.catch_warnings():   # stepping the scheduler alone, to read its values
            warnings.simplefilter("ignore", UserWarning)
            sched = LinearLR(opt, **kwargs)
            values = []
            for _ in range(W + 3):
                values.append(opt.param_groups[0]["lr"])
                sched.step()
        expected = [lr0 * (t + 1) / W if t < W else lr0 for t in range(W + 3)]
        assert values == pytest.approx(expected, rel=1e-12), row.torch


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_hyperparameter_column_marks_values_that_are_not_defaults(lang):
    import inspect

    import course_lib.optim as optim
    from course_lib.quiz.summary import optimizer_rows

    head, *rows = optimizer_rows(lang)
    column = next(i for i, h in enumerate(head) if h.startswith(("하이퍼", "hyper")))
    assert "*" in head[column]
    for table_row, row in zip(rows, OPTIMIZERS, strict=True):
        params = inspect.signature(getattr(optim, row.cls)).parameters
        items = re.findall(r"(\w+)=(\([^)]*\)\*?|[^,]+)", table_row[column])
        assert [name for name, _ in items] == list(row.hyper)
        for name, value in items:
            number = eval(value.rstrip("*"), {"__builtins__": {}})  # "0.9" or "(0.9, 0.999)"
            if value.endswith("*"):  # set by the row, not the default
                assert row.kwargs[name] != params[name].default and number == row.kwargs[name]
            else:
                assert number == params[name].default, (row.name, name)
    # torch.optim.SGD's momentum defaults to 0: the momentum rows must not pass 0.9 as one
    momentum_rows = [r for r in rows if r[0] in ("SGD + momentum", "Nesterov")]
    assert len(momentum_rows) == 2 and all("momentum=0.9*" in r[column] for r in momentum_rows)
