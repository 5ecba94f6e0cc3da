"""needs.json as a contract: a separate, minimal sphinx-needs project imports it with the README's recipe, warning-free."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from guideline_trace.needs_json import portable_content

pytestmark = pytest.mark.site


def readme_recipe() -> str:
    """The ``conf.py`` the README gives for a project that imports needs.json (the first python block of its section)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### 別の sphinx-needs プロジェクトに取り込む（needimport）"):]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)  # type: ignore[union-attr]


def test_a_plain_sphinx_needs_project_imports_every_need_without_a_warning(site, needs, tmp_path: Path) -> None:
    _, outdir = site
    project = tmp_path / "importer"
    project.mkdir()
    (project / "conf.py").write_text(readme_recipe(), encoding="utf-8")
    (project / "needs.json").write_bytes((outdir / "needs.json").read_bytes())
    (project / "index.md").write_text("# 取り込み\n\n```{needimport} needs.json\n```\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going",
                             str(project), str(project / "_build")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    html = (project / "_build" / "index.html").read_text(encoding="utf-8")
    missing = [need_id for need_id in needs if f'id="{need_id}"' not in html]
    assert missing == [], f"{len(missing)} needs were not imported: {missing[:5]}"


def test_needs_json_names_the_edition_and_build_date_and_no_site_layout(site) -> None:
    _, outdir = site
    data = json.loads((outdir / "needs.json").read_text(encoding="utf-8"))
    assert data["current_version"] == "平成27年3月版"
    version = data["versions"]["平成27年3月版"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", version["created"])
    assert all("layout" not in need for need in version["needs"].values())
    left = [i for i, n in version["needs"].items() if re.search(r"\{(term|ref|doc|numref)\}`", n.get("content") or "")]
    assert left == [], "site-only roles left in the content"


def test_site_only_roles_become_the_text_a_reader_sees() -> None:
    titles = {("ref", "std-9-1"): "9.1 監査", ("doc", "source/glossary"): "用語集"}
    text = ("{term}`CSIRT` と {term}`外部サービス <約款による外部サービス>` は {ref}`std-9-1` と {doc}`source/glossary`、"
            "{ref}`監査の節 <std-9-1>`、{need}`STD-9-1-1` を参照")
    assert portable_content(text, lambda role, target: titles[(role, target)]) == (
        "CSIRT と 外部サービス は 「9.1 監査」 と 「用語集」、監査の節、{need}`STD-9-1-1` を参照")
