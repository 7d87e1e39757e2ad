*** Test Cases ***
Ünïcode ☃ Passes
    Log    hello

Fails In Nested Suite
    Fail    nested failure
