"""Step definitions for the behave sample."""

from behave import given, then


@given("a number {n:d}")
def step_number(context, n):
    context.n = n


@then("it is even")
def step_even(context):
    assert context.n % 2 == 0, f"{context.n} is odd"
