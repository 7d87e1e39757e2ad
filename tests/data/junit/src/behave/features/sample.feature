Feature: Sample
  Scenario: passes
    Given a number 2
    Then it is even

  Scenario: fails
    Given a number 3
    Then it is even

  Scenario: undefined step
    Given a step nobody wrote

  @skip
  Scenario: skipped
    Given a number 4
    Then it is even

  Scenario Outline: outline <n>
    Given a number <n>
    Then it is even

    Examples:
      | n |
      | 6 |
      | 7 |
