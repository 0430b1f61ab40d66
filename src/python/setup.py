"""Builds the native library into the package: the build step runs src/RnnKernels.Native/build.sh (NativeAOT builds
per instruction set plus the loader), so `pip install ./src/python` needs the .NET SDK, clang, lld and zlib.
RNNKERNELS_NATIVE_DIR=<folder build.sh wrote> takes that build instead of making another (CI builds once)."""
import glob
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
REPOSITORY = os.path.dirname(os.path.dirname(HERE))


class BuildWithNative(build_py):
    def run(self):
        target = os.path.join(HERE, "rnnkernels", "native")
        prebuilt = os.environ.get("RNNKERNELS_NATIVE_DIR")
        if prebuilt:
            os.makedirs(target, exist_ok=True)
            for path in glob.glob(os.path.join(prebuilt, "*.so")) + [os.path.join(prebuilt, "rnnkernels.h")]:
                shutil.copy2(path, target)
        else:
            subprocess.run(["bash", os.path.join(REPOSITORY, "src", "RnnKernels.Native", "build.sh"), target], check=True)
        super().run()


setup(cmdclass={"build_py": BuildWithNative})
