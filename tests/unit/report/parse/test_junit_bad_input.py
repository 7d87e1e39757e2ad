"""Tests of the JUnit reader on bad input: one clear InputError each, or a warning value."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ci.errors import ExitCode, InputError
from ci.report.model import Outcome
from ci.report.parse.junit import iter_junit, parse_junit

CASE = '<testcase classname="c" name="{name}" time="{time}"/>'


def write(tmp_path: Path, data: str | bytes, name: str = "bad.xml") -> Path:
    """Write ``data`` (UTF-8 when text) to a file under ``tmp_path``."""
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def error_of(path: Path) -> str:
    """The one-line message parse_junit raises for ``path`` (iter_junit must agree)."""
    with pytest.raises(InputError) as parsed:
        parse_junit(path)
    with pytest.raises(InputError) as iterated:
        list(iter_junit(path))
    message = str(parsed.value)
    assert str(iterated.value) == message
    assert parsed.value.exit_code is ExitCode.USAGE
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Counts every request the parser might make."""

    requests: list[str] = []  # noqa: RUF012  (shared by design: one server per test)

    def do_GET(self) -> None:
        """Record the path and answer with an entity body."""
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"leaked")

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server on 127.0.0.1 and the list of requests it received."""
    _Recorder.requests = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/dtd", _Recorder.requests
    httpd.shutdown()
    httpd.server_close()


class TestUnreadable:
    """Files that are missing, empty or not XML at all."""

    def test_missing(self, tmp_path: Path) -> None:
        """A missing file names the OS's reason and says to check the path."""
        message = error_of(tmp_path / "none.xml")
        assert message == (
            f"{tmp_path / 'none.xml'}: cannot read the JUnit file (No such file or directory); "
            "check the path"
        )

    def test_directory(self, tmp_path: Path) -> None:
        """A directory in place of a file cannot be read."""
        assert "cannot read the JUnit file (Is a directory)" in error_of(tmp_path)

    @pytest.mark.parametrize("data", ["", "  \n\t\r\n "])
    def test_empty(self, tmp_path: Path, data: str) -> None:
        """Empty and whitespace-only files say the test run wrote nothing."""
        path = write(tmp_path, data)
        assert error_of(path) == (
            f"{path}: is empty; check that the test run wrote its report; "
            "point the report at the test run's JUnit XML"
        )

    def test_binary(self, tmp_path: Path) -> None:
        """Bytes without markup are not XML."""
        path = write(tmp_path, bytes(range(1, 60)) * 10)
        assert "has no root element in its first 1 MiB; it is not XML" in error_of(path)

    def test_unterminated_prologue(self, tmp_path: Path) -> None:
        """A comment that never ends leaves no root element."""
        path = write(tmp_path, "<?xml version='1.0'?><!-- no end")
        assert "has no root element" in error_of(path)


class TestNotJUnit:
    """Well-formed input that is not JUnit."""

    @pytest.mark.parametrize(
        "data",
        [
            "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
            "\n<html><head><title>Error</title></head></html>",
            "<!-- saved --><!doctype HTML>\n<html></html>",
        ],
    )
    def test_html(self, tmp_path: Path, data: str) -> None:
        """An HTML page (an error page saved as the report) is named as such."""
        assert "is HTML, not JUnit XML (an error page saved as the report?)" in error_of(
            write(tmp_path, data)
        )

    def test_other_root(self, tmp_path: Path) -> None:
        """Another XML format names its root element."""
        path = write(tmp_path, '<?xml version="1.0"?>\n<coverage line-rate="1"/>')
        assert "has root element <coverage>, not <testsuites> or <testsuite>" in error_of(path)


class TestMalformed:
    """XML that libxml2 cannot parse to the end."""

    def test_truncated(self, tmp_path: Path) -> None:
        """A file cut short says where and suggests rerunning the tests."""
        path = write(tmp_path, '<testsuite><testcase name="a"/><testcase name="b" tim')
        assert error_of(path) == (
            f"{path}: not well-formed XML (line 1, column 54: Specification mandates value for "
            "attribute tim); it is cut short or not XML; rerun the tests to write it again"
        )

    def test_truncated_after_cases(self, tmp_path: Path) -> None:
        """A file cut after complete cases is still refused (the counts would be wrong)."""
        path = write(tmp_path, "<testsuites><testsuite>" + CASE.format(name="a", time=1) * 3)
        assert "not well-formed XML" in error_of(path)

    def test_deep_nesting_beyond_limit(self, tmp_path: Path) -> None:
        """Nesting beyond libxml2's hard limit (2048 with huge_tree) is refused, not a crash."""
        depth = 3000
        path = write(tmp_path, "<testsuite>" * depth + "</testsuite>" * depth)
        assert "Excessive depth in document" in error_of(path)


class TestEntities:
    """DTDs are refused before the parser sees them: no file read, no network, no bomb."""

    def test_external_file_entity(self, tmp_path: Path) -> None:
        """An external entity naming a local file is refused and the file is not read."""
        secret = write(tmp_path, "TOP-SECRET", "secret.txt")
        path = write(
            tmp_path,
            f'<?xml version="1.0"?>\n<!DOCTYPE testsuite [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
            '<testsuite><testcase classname="&x;" name="t"/></testsuite>',
        )
        message = error_of(path)
        assert "declares a DTD, which JUnit XML never does, so it is not read" in message
        assert "TOP-SECRET" not in message

    def test_external_network_entity(self, tmp_path: Path, server: tuple[str, list[str]]) -> None:
        """External entities and DTDs on the network are never fetched."""
        url, requests = server
        path = write(
            tmp_path,
            f'<!DOCTYPE testsuite SYSTEM "{url}" [<!ENTITY x SYSTEM "{url}">]>'
            '<testsuite><testcase name="&x;"/></testsuite>',
        )
        assert "declares a DTD" in error_of(path)
        assert requests == []

    def test_billion_laughs(self, tmp_path: Path) -> None:
        """Nested entity expansion is refused before any expansion."""
        entities = ['<!ENTITY a0 "lol">'] + [
            f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
        ]
        path = write(
            tmp_path,
            f"<!DOCTYPE testsuite [{''.join(entities)}]>"
            '<testsuite><testcase name="&a9;" classname="&a9;">&a9;</testcase></testsuite>',
        )
        assert "declares a DTD" in error_of(path)

    def test_doctype_after_comments(self, tmp_path: Path) -> None:
        """A DTD hidden after a long comment and a declaration is still found."""
        path = write(
            tmp_path,
            '<?xml version="1.0"?><!--' + "x" * 100_000 + "--><?pi?>\n"
            '<!DOCTYPE testsuite [<!ENTITY x "y">]><testsuite/>',
        )
        assert "declares a DTD" in error_of(path)


class TestEncodings:
    """Declared encodings, byte-order marks and UTF-16."""

    def test_declared_utf8_but_latin1(self, tmp_path: Path) -> None:
        """Bytes that are not in the declared encoding are named as the problem."""
        path = write(
            tmp_path,
            '<?xml version="1.0" encoding="UTF-8"?><testsuite><testcase name="caf\xe9"/>'
            "</testsuite>".encode("latin-1"),
        )
        message = error_of(path)
        assert "Invalid bytes in character encoding" in message
        assert message.endswith(
            "its bytes do not match its declared encoding; write it in that encoding"
        )

    def test_declared_utf16_but_utf8(self, tmp_path: Path) -> None:
        """A UTF-16 declaration on 8-bit bytes is explained (libxml2's message is cryptic)."""
        path = write(tmp_path, '<?xml version="1.0" encoding="UTF-16"?><testsuite/>')
        assert "declares encoding UTF-16 but is not written in it" in error_of(path)

    def test_unknown_encoding(self, tmp_path: Path) -> None:
        """An encoding libxml2 does not know is an encoding problem."""
        path = write(tmp_path, '<?xml version="1.0" encoding="x-bogus"?><testsuite/>')
        assert "Unsupported encoding: x-bogus" in error_of(path)

    @pytest.mark.parametrize(
        ("codec", "bom"),
        [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"\xef\xbb\xbf")],
    )
    def test_bom(self, tmp_path: Path, codec: str, bom: bytes) -> None:
        """UTF-16 (either order) and UTF-8 with a byte-order mark are read."""
        declared = "UTF-16" if codec.startswith("utf-16") else "UTF-8"
        text = (
            f'<?xml version="1.0" encoding="{declared}"?>\n<testsuites><testsuite>'
            '<testcase classname="ünï" name="☃ snow" time="0.5"><failure message="✗"/></testcase>'
            "</testsuite></testsuites>"
        )
        report = parse_junit(write(tmp_path, bom + text.encode(codec)))
        assert [(c.id, c.message) for c in report.cases] == [("ünï::☃ snow", "✗")]
        assert report.counts.duration_s == 0.5

    @pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
    def test_utf16_declared_without_bom(self, tmp_path: Path, codec: str) -> None:
        """UTF-16 without a mark is recognised from its XML declaration."""
        text = '<?xml version="1.0" encoding="UTF-16"?><testsuite><testcase name="ω"/></testsuite>'
        path = write(tmp_path, text.encode(codec))
        assert [test.name for test in iter_junit(path)] == ["ω"]

    @pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
    def test_utf16_unmarked(self, tmp_path: Path, codec: str) -> None:
        """UTF-16 with neither a mark nor a declaration is not XML; the message says so."""
        path = write(tmp_path, '<testsuite><testcase name="ω"/></testsuite>'.encode(codec))
        assert "is UTF-16 without a byte-order mark or XML declaration" in error_of(path)


class TestTimes:
    """Unusable times are a warning value; the file is still counted."""

    @pytest.mark.parametrize("time", ["-1.5", "NaN", "inf", "1,5", "soon", "1.5.2"])
    def test_unusable(self, tmp_path: Path, time: str) -> None:
        """The case counts with 0 s and one warning names the file and the first value."""
        cases = CASE.format(name="a", time=time) + CASE.format(name="b", time="2.5")
        path = write(tmp_path, f"<testsuite>{cases}</testsuite>")
        report = parse_junit(path)
        assert (report.counts.total, report.counts.passed, report.counts.duration_s) == (2, 2, 2.5)
        assert report.warnings == (
            f"{path}: 1 test case(s) have an unusable time (first: {time!r}); counted as 0 s; "
            "fix the tool's time format",
        )

    def test_unusable_in_failures_and_iteration(self, tmp_path: Path) -> None:
        """A failing case's bad time warns too, and iter_junit reports it once at the end."""
        path = write(
            tmp_path,
            '<testsuite><testcase name="f" time="-3"><failure/></testcase>'
            + CASE.format(name="p", time="NaN")
            + "</testsuite>",
        )
        warnings: list[str] = []
        tests = list(iter_junit(path, on_warning=warnings.append))
        assert [test.duration_s for test in tests] == [0.0, 0.0]
        assert warnings == [
            f"{path}: 2 test case(s) have an unusable time (first: '-3'); counted as 0 s; "
            "fix the tool's time format"
        ]
        assert parse_junit(path).warnings == tuple(warnings)

    def test_grouped_thousands(self, tmp_path: Path) -> None:
        """``1,234.5`` (a grouping comma, as old Surefire writes) reads as 1234.5, silently."""
        cases = CASE.format(name="a", time="1,234.5") + CASE.format(name="b", time="0.5")
        report = parse_junit(write(tmp_path, f"<testsuite>{cases}</testsuite>"))
        assert (report.counts.duration_s, report.warnings) == (1235.0, ())

    def test_missing_and_empty(self, tmp_path: Path) -> None:
        """No time, or an empty one, is 0 s without a warning."""
        path = write(
            tmp_path, '<testsuite><testcase name="a"/><testcase name="b" time=""/></testsuite>'
        )
        report = parse_junit(path)
        assert (report.counts.total, report.counts.duration_s, report.warnings) == (2, 0.0, ())


class TestHugeContent:
    """Big and deep files that are still valid are read, within bounded memory."""

    def test_ten_megabyte_system_out(self, tmp_path: Path) -> None:
        """A 10 MB system-out (beyond libxml2's default text limit) is read."""
        out = ("x" * 99 + "\n") * 105_000
        path = write(
            tmp_path,
            '<testsuite><testcase classname="c" name="chatty" time="1">'
            f"<system-out>{out}</system-out></testcase>"
            f'<testcase classname="c" name="f"><failure>{out}</failure></testcase></testsuite>',
        )
        report = parse_junit(path)
        assert (report.counts.total, report.counts.passed, report.counts.failed) == (2, 1, 1)
        excerpt = report.cases[0].excerpt
        lines = excerpt.splitlines()
        assert (len(lines), lines[20], len(excerpt)) == (
            41,
            "[… 10496001 characters left out …]",
            4034,
        )

    def test_nesting_300_deep(self, tmp_path: Path) -> None:
        """Suites nested 300 deep (beyond libxml2's default 256) are read."""
        depth = 300
        inner = '<testcase classname="deep" name="t"><skipped/></testcase>'
        path = write(
            tmp_path,
            "<testsuites>"
            + "<testsuite>" * depth
            + inner
            + "</testsuite>" * depth
            + "</testsuites>",
        )
        assert [test.outcome for test in iter_junit(path)] == [Outcome.SKIPPED]
        assert parse_junit(path).counts.skipped == 1
