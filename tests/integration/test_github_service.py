"""The integration stage's own service: the local GitHub API server, reached through the stage.

Under ``nox -s integration`` the stage has started ``[tool.noxci.services.github-api]``
and exported ``NOXCI_SERVICE_GITHUB_API_URL``. Run outside nox, the test starts the same
declared service through the same mechanism, so both paths exercise the real thing.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import github
import pytest

from ci.config import load_settings
from ci.stages.services import running_services

ROOT = Path(__file__).parents[2]
URL_VARIABLE = "NOXCI_SERVICE_GITHUB_API_URL"


@pytest.fixture(scope="module")
def service_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the github-api service: the stage's, or one started here the same way."""
    if URL_VARIABLE in os.environ:
        yield os.environ[URL_VARIABLE]
        return
    spec = load_settings(ROOT, {}).services["github-api"]
    log_dir = tmp_path_factory.mktemp("services")
    with running_services([spec], log_dir=log_dir, cwd=ROOT, env=dict(os.environ)) as env:
        yield env[URL_VARIABLE]


def post_json(url: str, document: object) -> object:
    request = urllib.request.Request(
        url, data=json.dumps(document).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


class TestGitHubService:
    def test_pygithub_reaches_the_service(self, service_url: str) -> None:
        """A repository seeded over the control API is read back by PyGithub, the real client."""
        owner = f"svc{uuid.uuid4().hex[:8]}"  # the service is shared by every xdist worker
        seed = {
            "users": [{"login": owner}],
            "tokens": [{"token": owner, "login": owner}],
            "repos": [{"owner": owner, "name": "proj"}],
        }
        assert post_json(f"{service_url}/_seed", seed) == {
            "added": {"users": 1, "tokens": 1, "repos": 1}
        }
        client = github.Github(
            auth=github.Auth.Token(owner),
            base_url=service_url,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        repo = client.get_repo(f"{owner}/proj")
        assert (repo.full_name, repo.owner.login) == (f"{owner}/proj", owner)
