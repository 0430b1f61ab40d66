"""Puts the native library into the package. A library already built is reused: RNNKERNELS_NATIVE_DIR=<folder that
src/RnnKernels.Native/build.sh wrote>, else the repository's artifacts/native when it holds one; only when neither
exists does the build step run build.sh (which needs the .NET SDK, clang, lld and zlib). A reused folder is checked
first (check_build.sh: each variant reports the kernel tier its name promises). The wheel carries linux .so files, so
it is tagged for this platform, not py3-none-any."""
import glob
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel  # setuptools >= 70.1
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:
        sys.exit(
            f"rnnkernels: this Python ({sys.executable}, setuptools {__import__('setuptools').__version__}) cannot build a "
            "wheel: it needs the 'wheel' package or setuptools >= 70.1. Install one of them (Debian: python3-wheel, or use "
            "Debian's /usr/bin/python3 with python3-setuptools and python3-pip), or use the client without installing it: "
            "PYTHONPATH=src/python RNNKERNELS_NATIVE_DIR=artifacts/native python3 ...")

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))
NATIVE = os.path.join(REPOSITORY, "src", "RnnKernels.Native")


def prebuilt_folder():
    folder = os.environ.get("RNNKERNELS_NATIVE_DIR")
    if folder:
        if not os.path.isfile(os.path.join(folder, "librnnkernels.so")):
            sys.exit(f"rnnkernels: RNNKERNELS_NATIVE_DIR={folder} holds no librnnkernels.so (build it with {NATIVE}/build.sh {folder})")
        return folder
    folder = os.path.join(REPOSITORY, "artifacts", "native")
    return folder if os.path.isfile(os.path.join(folder, "librnnkernels.so")) else None


class BuildWithNative(build_py):
    def run(self):
        target = os.path.join(HERE, "rnnkernels", "native")
        prebuilt = prebuilt_folder()
        if prebuilt:
            print(f"rnnkernels: using the native library built in {prebuilt}")
            subprocess.run(["bash", os.path.join(NATIVE, "check_build.sh"), prebuilt], check=True)
            os.makedirs(target, exist_ok=True)
            for path in glob.glob(os.path.join(prebuilt, "*.so")) + [os.path.join(prebuilt, "rnnkernels.h")]:
                shutil.copy2(path, target)
        else:
            subprocess.run(["bash", os.path.join(NATIVE, "build.sh"), target], check=True)
        super().run()


class PlatformWheel(bdist_wheel):
    """The package holds native libraries for this platform: py3-none-<platform>, not py3-none-any."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildWithNative, "bdist_wheel": PlatformWheel})
