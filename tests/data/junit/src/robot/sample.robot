*** Test Cases ***
Passes
    Should Be Equal    ${2}    ${2}

Fails
    Should Be Equal    expected    actual

Is Skipped
    Skip    not on this platform
