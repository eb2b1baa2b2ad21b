"""Build script: everything is declared in pyproject.toml except the native extension and the catalogues."""

import importlib.util
import os
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# `make run` sets HWINSPECTOR_NATIVE=optional: where the sampler cannot be built (no C compiler or no
# Python headers, as on a user's machine without build tools) the install goes on without it and the
# window runs on the pure-Python sampler, saying so. Every other build (make dev, wheels, the .deb)
# fails on a build error instead.
OPTIONAL = os.environ.get("HWINSPECTOR_NATIVE") == "optional"


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


class BuildExt(build_ext):
    """setuptools skips an optional extension that fails to build, but still lists it among the outputs,
    so a strict editable install then fails copying a file that is not there: forget it instead."""

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception:
            if ext.optional:
                self.extensions = [e for e in self.extensions if e is not ext]
            raise


setup(
    cmdclass={"build_py": build_py_with_catalogues, "build_ext": BuildExt},
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
            optional=OPTIONAL,
        )
    ],
)
