"""A unittest module with one test of every outcome, for the unittest-xml-reporting sample."""

import unittest


class SampleTest(unittest.TestCase):
    def test_pass(self) -> None:
        self.assertEqual(2, 1 + 1)

    def test_fail(self) -> None:
        self.assertEqual([1, 2, 3], [1, 2, 4])

    def test_error(self) -> None:
        raise RuntimeError("boom")

    @unittest.skip("not on this platform")
    def test_skip(self) -> None:
        pass

    @unittest.expectedFailure
    def test_expected_failure(self) -> None:
        self.assertEqual(1, 2)

    @unittest.expectedFailure
    def test_unexpected_success(self) -> None:
        pass

    def test_subtests(self) -> None:
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 2)
