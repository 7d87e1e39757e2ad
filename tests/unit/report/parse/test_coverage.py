"""Tests of ci.report.parse.coverage: data files, JSON and Cobertura, against coverage.py."""

from __future__ import annotations

import codecs
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ci.errors import ConfigError, InputError
from ci.report.model import CoverageFormat, CoverageTotals, FileCoverage
from ci.report.parse import coverage as coverage_module
from ci.report.parse._cobertura import parse_cobertura
from ci.report.parse.coverage import check_data_file, coverage_format, parse_coverage

DATA = Path(__file__).parents[3] / "data" / "coverage"
SAMPLE_TOTALS = CoverageTotals(
    covered_lines=23, num_statements=26, covered_branches=8, num_branches=10
)
SHAPES = FileCoverage(
    path="sample/shapes.py",
    totals=CoverageTotals(covered_lines=16, num_statements=17, covered_branches=6, num_branches=8),
    executed_lines=(3, 5, 11, 13, 14, 15, 16, 20, 22, 23, 24, 25, 26, 29, 31, 34),
    missing_lines=(17,),
    excluded_lines=(6, 7, 8, 36),
    executed_branches=((13, 14), (13, 15), (15, 16), (23, 24), (23, 26), (24, 25)),
    missing_branches=((15, 17), (24, 23)),
)
#: coverage.py's own API, in a child process: combine (keeping the inputs), then report().
REPORT_SCRIPT = """
import io, sys, coverage
rcfile = sys.argv[2] or True
cov = coverage.Coverage(data_file=sys.argv[1], config_file=rcfile)
cov.combine(sys.argv[3:], keep=True)
cov.load()
print(repr(cov.report(file=io.StringIO())))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the sample project with its data files beside it (``../data``)."""
    shutil.copytree(DATA, tmp_path / "coverage")
    return tmp_path / "coverage" / "project"


def coverage_report_total(project: Path, data_files: list[Path], rcfile: str = "") -> float:
    """The precise total of coverage.py's own report on the same data, in ``project``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_PROCESS")}
    combined = str(project.parent / "reference.coverage")
    argv = [sys.executable, "-c", REPORT_SCRIPT, combined, rcfile, *map(str, data_files)]
    done = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


class TestParseCoverageDataFiles:
    """Data files are combined and analysed by coverage.py itself."""

    def test_total_equals_coverage_report(self, project: Path) -> None:
        """Two parallel data files give exactly coverage.py's report total, branches included."""
        files = sorted((project.parent / "data" / "parallel").iterdir())
        report = parse_coverage(files, project=project)
        assert report.percent == coverage_report_total(project, files)
        assert report.totals == SAMPLE_TOTALS
        assert report.percent == 100.0 * (23 + 8) / (26 + 10)
        assert (report.format, report.paths, report.branch) == (
            CoverageFormat.DATA,
            tuple(files),
            True,
        )

    def test_files_lines_and_branches(self, project: Path) -> None:
        """Each file keeps its executed, missing and excluded lines and its branch arcs."""
        files = sorted((project.parent / "data" / "parallel").iterdir())
        report = parse_coverage(files, project=project)
        assert [entry.path for entry in report.files] == [
            "sample/__init__.py",
            "sample/__main__.py",
            "sample/shapes.py",
            "sample/unused.py",
        ]
        assert report.file("sample/shapes.py") == SHAPES
        assert report.file("sample/missing.py") is None
        assert report.missing_lines_by_file() == {
            "sample/shapes.py": (17,),
            "sample/unused.py": (4, 6),
        }

    def test_paths_remapped_by_project_config(self, project: Path) -> None:
        """``[paths]`` maps another machine's absolute paths onto the project's files."""
        data = project.parent / "data"
        files = [data / "parallel" / ".coverage.run-a", data / "remapped" / ".coverage.ci"]
        report = parse_coverage(files, project=project)
        assert report.totals == SAMPLE_TOTALS
        assert report.percent == coverage_report_total(project, files)

    def test_rcfile_is_respected(self, project: Path) -> None:
        """Another rcfile's exclusions change the total exactly as they change coverage.py's."""
        files = sorted((project.parent / "data" / "parallel").iterdir())
        rcfile = project / "strict.coveragerc"
        report = parse_coverage(files, rcfile=rcfile, project=project)
        assert report.totals == CoverageTotals(
            covered_lines=21, num_statements=24, covered_branches=8, num_branches=10
        )
        assert report.percent == coverage_report_total(project, files, str(rcfile))

    def test_statement_coverage_only(self, project: Path) -> None:
        """Data without branches gives a line-only total, as coverage.py computes it."""
        files = [project.parent / "data" / "lines" / ".coverage"]
        rcfile = project / "lines.coveragerc"
        report = parse_coverage(files, rcfile=rcfile, project=project)
        assert report.branch is False
        assert report.totals == CoverageTotals(covered_lines=18, num_statements=27)
        assert report.percent == coverage_report_total(project, files, str(rcfile))

    def test_inputs_kept_and_project_untouched(self, project: Path) -> None:
        """Combining keeps the input files and writes nothing into the project."""
        files = sorted((project.parent / "data" / "parallel").iterdir())
        before = sorted(path.name for path in project.rglob("*"))
        parse_coverage(files, project=project)
        assert [path.exists() for path in files] == [True, True]
        assert sorted(path.name for path in project.rglob("*")) == before

    def test_missing_sources(self, project: Path) -> None:
        """Without the sources coverage.py cannot analyse: one line says where to run."""
        shutil.rmtree(project / "sample")
        files = sorted((project.parent / "data" / "parallel").iterdir())
        with pytest.raises(InputError) as caught:
            parse_coverage(files, project=project)
        assert str(caught.value).startswith(f"{files[0]} (and 1 more): coverage json failed in ")
        assert "No source for code" in str(caught.value)
        assert str(caught.value).endswith("with its sources and configuration")

    def test_missing_rcfile(self, project: Path) -> None:
        """A missing rcfile is a configuration error naming it."""
        files = [project.parent / "data" / "lines" / ".coverage"]
        with pytest.raises(ConfigError, match=r"nope\.rc: coverage configuration file not found"):
            parse_coverage(files, rcfile=project / "nope.rc", project=project)


class TestBadDataFiles:
    """A data file coverage.py cannot use is refused, file by file, without changing it."""

    def test_empty(self, tmp_path: Path) -> None:
        """An empty data file is refused by name."""
        path = tmp_path / ".coverage"
        path.write_bytes(b"")
        with pytest.raises(InputError) as caught:
            check_data_file(path)
        expected = (
            f"{path}: the coverage data file is empty; delete it and re-run the tests that wrote it"
        )
        assert str(caught.value) == expected

    def test_garbage_after_sqlite_header(self, tmp_path: Path) -> None:
        """A file with SQLite's magic but garbage after it is not usable."""
        path = tmp_path / ".coverage.x"
        path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
        with pytest.raises(
            InputError, match=r"not a usable coverage data file \(file is not a database\)"
        ):
            check_data_file(path)

    def test_truncated(self, tmp_path: Path) -> None:
        """A real data file cut short is reported as corrupt, not read half-way."""
        real = (DATA / "data" / "parallel" / ".coverage.run-a").read_bytes()
        path = tmp_path / ".coverage.cut"
        path.write_bytes(real[: len(real) // 2])
        with pytest.raises(InputError) as caught:
            check_data_file(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: ")
        assert "malformed" in message
        assert message.endswith("; delete it and re-run the tests that wrote it")

    def test_damaged_page(self, tmp_path: Path) -> None:
        """A data file with a damaged page fails SQLite's check, reported on one line."""
        damaged = bytearray((DATA / "data" / "lines" / ".coverage").read_bytes())
        damaged[4096 + 8 : 4096 + 16] = bytes(byte ^ 0xFF for byte in damaged[4096 + 8 : 4096 + 16])
        path = tmp_path / ".coverage"
        path.write_bytes(bytes(damaged))
        with pytest.raises(InputError) as caught:
            check_data_file(path)
        message = str(caught.value)  # SQLite's own wording varies between its versions
        assert message.startswith(f"{path}: the coverage data file is corrupt (On tree page 2 ")
        assert message.endswith("); delete it and re-run the tests that wrote it")
        assert "\n" not in message

    def test_other_sqlite_database_left_unchanged(self, tmp_path: Path) -> None:
        """An SQLite file without coverage's tables is refused and not written to."""
        path = tmp_path / "other.db"
        with sqlite3.connect(path) as db:
            db.execute("create table t (x)")
        db.close()
        before = path.read_bytes()
        with pytest.raises(InputError, match=r"no such table: coverage_schema"):
            check_data_file(path)
        assert path.read_bytes() == before

    def test_other_schema_version(self, tmp_path: Path) -> None:
        """A data file of another coverage.py schema says which version to combine it with."""
        path = tmp_path / ".coverage"
        shutil.copy(DATA / "data" / "lines" / ".coverage", path)
        with sqlite3.connect(path) as db:
            db.execute("update coverage_schema set version = 6")
        db.close()
        with pytest.raises(InputError) as caught:
            check_data_file(path)
        assert str(caught.value) == (
            f"{path}: coverage data schema 6, and this coverage.py reads 7; "
            "combine it with the coverage.py version that wrote it"
        )

    def test_missing_file(self, tmp_path: Path) -> None:
        """A data file that does not exist is named."""
        with pytest.raises(InputError, match=r"\.coverage: cannot read the coverage data file"):
            check_data_file(tmp_path / ".coverage")

    def test_corrupt_file_stops_parse(self, project: Path) -> None:
        """parse_coverage refuses a corrupt data file among good ones, naming it."""
        bad = project.parent / "data" / "parallel" / ".coverage.run-c"
        bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
        files = sorted((project.parent / "data" / "parallel").iterdir())
        with pytest.raises(InputError, match=r"\.coverage\.run-c: "):
            parse_coverage(files, project=project)


class TestCoverageFormat:
    """The flavour of a coverage input is told from its content."""

    def test_flavours(self) -> None:
        """Data file, JSON and Cobertura are told apart, whatever their names."""
        assert coverage_format(DATA / "data" / "lines" / ".coverage") is CoverageFormat.DATA
        assert coverage_format(DATA / "json" / "sample.json") is CoverageFormat.JSON
        assert coverage_format(DATA / "cobertura" / "other-tool.xml") is CoverageFormat.COBERTURA

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            (b"", "is empty; delete it and re-run the tests that wrote it"),
            (b"  \n", "is empty; delete it and re-run the tests that wrote it"),
            (
                b"!coverage.py: This is a private format, don't read it directly!{}",
                "is a coverage.py 4.x data file; re-run the tests with coverage.py >= 5",
            ),
            (
                b"\xff\xfe\xfd junk",
                "is not a coverage data file, coverage JSON or Cobertura XML; check the path",
            ),
        ],
    )
    def test_unrecognised(self, tmp_path: Path, content: bytes, problem: str) -> None:
        """Anything else is refused with what it looks like and what to do."""
        path = tmp_path / ".coverage"
        path.write_bytes(content)
        with pytest.raises(InputError) as caught:
            parse_coverage([path])
        assert str(caught.value) == f"{path}: {problem}"

    def test_unreadable(self, tmp_path: Path) -> None:
        """A path that cannot be opened is named."""
        with pytest.raises(InputError, match=r"cannot read the coverage input"):
            coverage_format(tmp_path)

    def test_no_inputs(self) -> None:
        """An empty list of inputs is refused."""
        with pytest.raises(InputError, match=r"^no coverage input was given"):
            parse_coverage([])

    def test_mixed_flavours(self) -> None:
        """Inputs of different flavours are refused together, naming the odd one."""
        json_path, xml_path = DATA / "json" / "sample.json", DATA / "cobertura" / "coveragepy.xml"
        with pytest.raises(InputError) as caught:
            parse_coverage([json_path, xml_path])
        assert str(caught.value) == (
            f"{xml_path}: is cobertura coverage but {json_path} is json; "
            "pass one flavour of coverage input at a time"
        )


class TestCoverageTotals:
    """Totals add up and give coverage.py's percentage."""

    def test_sum(self) -> None:
        """``sum`` adds every count."""
        one = CoverageTotals(covered_lines=1, num_statements=2, covered_branches=3, num_branches=4)
        assert sum([one, one]) == CoverageTotals(
            covered_lines=2, num_statements=4, covered_branches=6, num_branches=8
        )
        assert (one.missing_lines, one.missing_branches) == (1, 1)

    def test_add_refuses_other_numbers(self) -> None:
        """Adding a number other than the ``sum`` start 0 is a type error."""
        with pytest.raises(TypeError):
            _ = 1 + CoverageTotals()

    def test_empty_is_complete(self) -> None:
        """No statements is 100%, as coverage.py says."""
        assert CoverageTotals().percent == 100.0


def write_json(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a coverage JSON variant into ``tmp_path``."""
    path = tmp_path / "coverage.json"
    path.write_bytes(text.encode(encoding))
    return path


class TestParseCoverageJson:
    """coverage.py JSON reports are read as written, after a format check."""

    def test_format_3(self) -> None:
        """A format-3 report gives the same files and total as its data files."""
        report = parse_coverage([DATA / "json" / "sample.json"])
        assert (report.format, report.branch, report.totals) == (
            CoverageFormat.JSON,
            True,
            SAMPLE_TOTALS,
        )
        assert report.file("sample/shapes.py") == SHAPES

    def test_format_2(self) -> None:
        """A format-2 report (coverage.py 7.5.4) reads the same."""
        report = parse_coverage([DATA / "json" / "format2-coverage-7.5.4.json"])
        assert report.totals == SAMPLE_TOTALS
        shapes = report.file("sample/shapes.py")
        assert shapes is not None
        assert (shapes.totals, shapes.missing_lines, shapes.missing_branches) == (
            SHAPES.totals,
            SHAPES.missing_lines,
            SHAPES.missing_branches,
        )

    def test_shards_merge_like_combine(self) -> None:
        """Two shards' reports merge into exactly what the combined data gives."""
        shards = [DATA / "json" / "shard-a.json", DATA / "json" / "shard-b.json"]
        merged = parse_coverage(shards)
        combined = parse_coverage([DATA / "json" / "sample.json"])
        assert merged.files == combined.files
        assert merged.totals == SAMPLE_TOTALS
        assert merged.paths == tuple(shards)

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
    def test_bom_encodings(self, tmp_path: Path, encoding: str) -> None:
        """UTF-8 with a BOM and UTF-16/32 with a BOM read like plain UTF-8."""
        text = (DATA / "json" / "sample.json").read_text(encoding="utf-8")
        report = parse_coverage([write_json(tmp_path, text, encoding)])
        assert report.totals == SAMPLE_TOTALS

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            (
                '{"meta": {"format": 4}, "files": {}}',
                "has JSON report format 4, and this reader knows 2 and 3",
            ),
            (
                '{"meta": {"format": "3"}, "files": {}}',
                "has JSON report format '3', and this reader knows 2 and 3",
            ),
            (
                '{"meta": {}, "files": {}}',
                "is not a coverage.py JSON report (no 'meta.format' and 'files')",
            ),
            ("[1]", "the document is an array, not an object"),
            ('{"meta": {"format": 3}, "files": []}', "'files' is an array, not an object"),
            (
                '{"meta": {"format": 3}, "files": {"a.py": {}}}',
                "files['a.py'].summary is missing or null, not an object",
            ),
            (
                '{"meta": {"format": 3}, "files": {"a.py": {"summary": {"num_statements": -1}}}}',
                "files['a.py'].summary.num_statements is -1, not a count (an integer >= 0)",
            ),
            (
                '{"meta": {"format": 3}, "files": {"a.py": '
                '{"summary": {}, "missing_lines": [true]}}}',
                "files['a.py'].missing_lines[] is true, not a count (an integer >= 0)",
            ),
            (
                '{"meta": {"format": 3}, "files": {"a.py": '
                '{"summary": {}, "missing_branches": [[1]]}}}',
                "files['a.py'].missing_branches[] is [1], not a pair of line numbers",
            ),
        ],
    )
    def test_bad_shape(self, tmp_path: Path, text: str, problem: str) -> None:
        """A report of an unknown format or a broken shape names the file and the place."""
        path = write_json(tmp_path, text)
        with pytest.raises(InputError) as caught:
            parse_coverage([path])
        assert (
            str(caught.value)
            == f"{path}: {problem}; regenerate it with `coverage json` (coverage.py >= 7)"
        )

    @pytest.mark.parametrize(
        ("content", "problem"),
        [
            (
                b"{",
                "is not valid JSON "
                "(Expecting property name enclosed in double quotes: line 1 column 2)",
            ),
            (
                b'{"meta": {"format": 3}, "fi',
                "is not valid JSON (Unterminated string starting at: line 1 column 25)",
            ),
            (b"{\xe9}", "is not UTF-8 text (byte 1)"),
            (b"[" * 100_000, "is nested too deeply to read"),
        ],
    )
    def test_unreadable_json(self, tmp_path: Path, content: bytes, problem: str) -> None:
        """Truncated, non-UTF-8 or absurdly nested JSON is refused in one line."""
        path = tmp_path / "coverage.json"
        path.write_bytes(content)
        with pytest.raises(InputError) as caught:
            parse_coverage([path])
        assert (
            str(caught.value)
            == f"{path}: the coverage JSON report {problem}; regenerate it with `coverage json`"
        )

    def test_whitespace_only_after_bom(self, tmp_path: Path) -> None:
        """A file holding a BOM and whitespace only is empty."""
        path = tmp_path / "coverage.json"
        path.write_bytes(codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"))
        with pytest.raises(InputError, match=r"coverage\.json: is empty; delete it"):
            parse_coverage([path])


class TestParseCobertura:
    """Cobertura XML is read line by line, with coverage.py's arithmetic for the total."""

    def test_coveragepy_xml_matches_its_report(self) -> None:
        """coverage.py's own Cobertura gives its report's total, paths joined to the source."""
        report = parse_coverage([DATA / "cobertura" / "coveragepy.xml"])
        assert (report.format, report.branch, report.totals) == (
            CoverageFormat.COBERTURA,
            True,
            SAMPLE_TOTALS,
        )
        assert report.percent == parse_coverage([DATA / "json" / "sample.json"]).percent
        assert report.missing_lines_by_file() == {
            "sample/shapes.py": (17,),
            "sample/unused.py": (4, 6),
        }

    def test_other_tool(self) -> None:
        """Another tool's file: classes of one file merge; method lines are not counted twice."""
        report = parse_coverage([DATA / "cobertura" / "other-tool.xml"])
        assert report.totals == CoverageTotals(
            covered_lines=6, num_statements=9, covered_branches=3, num_branches=4
        )
        assert report.files[1] == FileCoverage(
            path="src/util.js",
            totals=CoverageTotals(covered_lines=2, num_statements=4),
            executed_lines=(1, 7),
            missing_lines=(2, 8),
        )
        assert report.files[0].path == "src/math.js"

    def test_two_files_merge(self) -> None:
        """The same file twice: a line ran if it ran in either, branches count by the best."""
        path = DATA / "cobertura" / "other-tool.xml"
        report = parse_coverage([path, path])
        assert report.totals == parse_coverage([path]).totals
        assert report.paths == (path, path)

    def test_lines_only(self, tmp_path: Path) -> None:
        """A report without branches says so."""
        path = tmp_path / "c.xml"
        path.write_text(
            '<coverage><packages><package><classes><class filename="a.py"><lines>'
            '<line number="1" hits="1"/><line number="2" hits="0"/></lines></class>'
            "</classes></package></packages></coverage>"
        )
        report = parse_coverage([path])
        assert (report.branch, report.percent) == (False, 50.0)

    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("{project}/pkg", "pkg/a.py"),
            ("/elsewhere/pkg", "a.py"),
            ("pkg/", "pkg/a.py"),
        ],
    )
    def test_source_joining(self, tmp_path: Path, source: str, expected: str) -> None:
        """Names join the only source, relative to the project; another machine's stay put."""
        path = tmp_path / "c.xml"
        source = source.format(project=tmp_path.resolve().as_posix())
        path.write_text(
            f"<coverage><sources><source>{source}</source></sources><packages><package>"
            '<classes><class filename="a.py"><lines><line number="1" hits="1"/></lines>'
            "</class></classes></package></packages></coverage>"
        )
        report = parse_coverage([path], project=tmp_path)
        assert [entry.path for entry in report.files] == [expected]

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            ("<coverage><packages>", "the Cobertura XML is not well-formed"),
            (
                '<coverage><packages><package><classes><class name="x"/></classes></package>'
                "</packages></coverage>",
                "a <class> has no filename attribute",
            ),
            (
                '<coverage><packages><package><classes><class filename="a.py"><lines>'
                '<line number="x" hits="1"/>'
                "</lines></class></classes></package></packages></coverage>",
                "a.py line number is 'x', not a whole number",
            ),
            ('<coverage branches-valid="-1"/>', "branches-valid is '-1', not a whole number"),
        ],
    )
    def test_bad_xml(self, tmp_path: Path, body: str, problem: str) -> None:
        """Broken XML or attributes are refused in one line naming the file."""
        path = tmp_path / "c.xml"
        path.write_text(body)
        with pytest.raises(InputError) as caught:
            parse_coverage([path])
        assert str(caught.value).startswith(f"{path}: {problem}")
        assert str(caught.value).endswith(
            "regenerate it with the coverage tool (coverage.py: `coverage xml`)"
        )

    def test_external_entities_not_read(self, tmp_path: Path) -> None:
        """A DTD's external entity is never resolved into the report."""
        secret = tmp_path / "secret.txt"
        secret.write_text("TOP-SECRET")
        path = tmp_path / "c.xml"
        path.write_text(
            f'<!DOCTYPE coverage [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            '<coverage><packages><package><classes><class filename="a.py">&x;<lines>'
            '<line number="1" hits="1"/></lines></class></classes></package></packages></coverage>'
        )
        report = parse_coverage([path])
        assert [entry.path for entry in report.files] == ["a.py"]
        assert "TOP-SECRET" not in repr(report)


class TestCoberturaDirect:
    """What only a direct call can reach: files the content sniffing would not pass on."""

    def test_not_cobertura_root(self, tmp_path: Path) -> None:
        """Another XML root is refused, naming it."""
        path = tmp_path / "j.xml"
        path.write_text("<testsuites/>")
        with pytest.raises(InputError, match=r"the root element is <testsuites>, not Cobertura's"):
            parse_cobertura([path])

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that cannot be read is named."""
        with pytest.raises(InputError, match=r"nope\.xml: cannot read the Cobertura XML"):
            parse_cobertura([tmp_path / "nope.xml"])


class TestCoverageTimeout:
    """coverage.py never runs unbounded."""

    def test_timeout(self, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A coverage.py run over its time limit is an input error naming the data files."""
        monkeypatch.setattr(coverage_module, "TIMEOUT_S", 0.001)
        files = sorted((project.parent / "data" / "parallel").iterdir())
        with pytest.raises(InputError) as caught:
            parse_coverage(files, project=project)
        assert str(caught.value) == (
            f"{files[0]} (and 1 more): coverage combine took over 0.001 s; check the data files"
        )
