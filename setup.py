"""One build step pyproject.toml cannot say: the wheel carries the browser extension and the host
manifest templates, which live at the top of the checkout (extension/, manifests/) and not inside
the package. setuptools' package-data takes only files inside the package, so `build_py` copies
both into `ucc_webhooks/_bundled/` of the build folder; the checkout keeps one copy. An editable
install (`pip install -e .`) skips the copy: it reads the checkout. Everything else is in
pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("extension", "manifests")


class BuildPyWithExtension(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "ucc_webhooks" / "_bundled"
        for name in BUNDLED:
            if (target / name).exists():
                shutil.rmtree(target / name)
            shutil.copytree(HERE / name, target / name, ignore=shutil.ignore_patterns("*.pem", ".*"))


setup(cmdclass={"build_py": BuildPyWithExtension})
