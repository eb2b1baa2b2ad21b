"""Build script: everything is declared in pyproject.toml except the native extension and the catalogues."""

import importlib.util
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class build_py_with_catalogues(build_py):
    """Compile po/*.po into resources/locale/<lang>/LC_MESSAGES/hwinspector.mo before the package data is
    collected, so the wheel, the .deb (pybuild builds the wheel) and the snap (pip builds it) carry them.
    The compiler is po/msgfmt.py, pure Python: no GNU gettext is needed to build."""

    def run(self) -> None:
        spec = importlib.util.spec_from_file_location("hwinspector_msgfmt", HERE / "po" / "msgfmt.py")
        if spec is not None and spec.loader is not None and (HERE / "po").is_dir():
            msgfmt = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(msgfmt)
            msgfmt.compile_dir(HERE / "po", HERE / "resources" / "locale")
        super().run()


setup(
    cmdclass={"build_py": build_py_with_catalogues},
    ext_modules=[
        Extension(
            "hwinspector.probes.telemetry._sampler",
            sources=[
                "probes/telemetry/native/sampler.c",
                "probes/telemetry/native/sampler_core.c",
                "probes/telemetry/native/sampler_perf.c",
            ],
            depends=["probes/telemetry/native/sampler_core.h", "probes/telemetry/native/sampler_perf.h"],
            extra_compile_args=["-O2", "-std=gnu11", "-Wall", "-Wextra"],
            libraries=["pthread"],
        )
    ],
)
