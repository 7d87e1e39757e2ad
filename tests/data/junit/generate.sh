#!/usr/bin/env bash
# Regenerate the real-tool JUnit samples in this folder from the sources in src/.
#
# Usage: tests/data/junit/generate.sh [WORKDIR]   (WORKDIR defaults to a fresh temp dir)
# Needs: uv (or the dev venv's), node + npm, cmake/ctest. Tools are pinned below and installed
# into WORKDIR only (a venv and node_modules), never into the repository.
# The hand-written samples (surefire*, go-junit-report, phpunit, bad/*) are not touched.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/src"
WORK="${1:-$(mktemp -d)}"
UV="${UV:-$(command -v uv || echo /work/devenv/bin/uv)}"
PY_TOOLS=(pytest==9.2.0 pytest-xdist==3.8.0 pytest-rerunfailures==16.7
          unittest-xml-reporting==4.0.0 robotframework==7.5 behave==1.3.3)
NODE_TOOLS=(jest@30.5.2 jest-junit@17.0.0 mocha@11.8.0 mocha-junit-reporter@2.2.1)

echo "working in $WORK"
mkdir -p "$WORK"
cp -r "$SRC/." "$WORK/"
cd "$WORK"

# ---- Python tools -----------------------------------------------------------
"$UV" venv -q --allow-existing venv
"$UV" pip install -q --python venv/bin/python "${PY_TOOLS[@]}"
PYTEST=(venv/bin/python -m pytest -p no:cacheprovider -q --rootdir pytest -c pytest/pytest.ini)
# Non-zero exits are expected: every sample holds failing tests.
"${PYTEST[@]}" -o junit_family=xunit1 --junitxml="$HERE/pytest_xunit1.xml" pytest/test_sample.py || true
"${PYTEST[@]}" -o junit_family=xunit2 --junitxml="$HERE/pytest_xunit2.xml" pytest/test_sample.py || true
"${PYTEST[@]}" -n 2 --junitxml="$HERE/pytest_xdist.xml" pytest/test_sample.py || true
"${PYTEST[@]}" -o junit_family=xunit1 --reruns 2 --junitxml="$HERE/pytest_rerunfailures.xml" \
    pytest/test_flaky.py || true
"${PYTEST[@]}" -n 2 --reruns 2 --junitxml="$HERE/pytest_xdist_rerunfailures.xml" \
    pytest/test_flaky.py || true
(cd unittest && ../venv/bin/python -m xmlrunner --output-file "$HERE/unittest_xml_reporting.xml" \
    test_sample) || true
venv/bin/robot --output NONE --report NONE --log NONE --xunit "$HERE/robot_xunit.xml" \
    --name Sample robot >/dev/null || true
rm -rf behave/reports
(cd behave && ../venv/bin/behave --no-capture --junit --junit-directory reports >/dev/null) || true
cp behave/reports/TESTS-sample.xml "$HERE/behave.xml"

# ---- Node tools -------------------------------------------------------------
node --test --test-reporter=junit --test-reporter-destination="$HERE/node_test.xml" \
    node/sample.test.mjs || true
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "${NODE_TOOLS[@]}"
JEST_JUNIT_OUTPUT_FILE="$HERE/jest_junit.xml" JEST_JUNIT_ADD_FILE_ATTRIBUTE=true \
    npx jest --rootDir jest --reporters=default --reporters=jest-junit --ci >/dev/null 2>&1 || true
npx mocha --reporter mocha-junit-reporter \
    --reporter-options "mochaFile=$HERE/mocha_junit_reporter.xml" mocha/sample.spec.js || true

# ---- ctest ------------------------------------------------------------------
cmake -S ctest -B ctest/build >/dev/null
(cd ctest/build && ctest --output-junit "$HERE/ctest.xml" >/dev/null) || true

# Scrub this machine's temp paths so regenerated samples diff cleanly.
sed -i "s#$WORK/#WORK/#g; s#$HERE/#HERE/#g" "$HERE"/*.xml
echo "samples written to $HERE"
