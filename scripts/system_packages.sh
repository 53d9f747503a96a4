#!/usr/bin/env bash
# Installs the Debian packages the tests need beyond PyPI: PoCL (an OpenCL device on the CPU, so
# device kernels are tested without a GPU), the OpenCL and CLBlast headers and libraries,
# OpenMPI (distributed tests) and SLEEF (vectorized math). Does nothing when all are present; says
# what is missing and goes on when it cannot install (not root, no apt-get): the tests that need
# a missing package then skip and say why.
set -euo pipefail
packages=(pocl-opencl-icd ocl-icd-opencl-dev opencl-headers libclblast-dev
  openmpi-bin libopenmpi-dev libsleef-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo="sudo -n"; }
if ! command -v apt-get >/dev/null || { [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; }; then
  echo "== system packages missing and not installable here (tests needing them skip): ${missing[*]}"
  exit 0
fi
echo "== installing system packages: ${missing[*]}"
$sudo apt-get update -q | { grep --line-buffered -E '^(Get|Hit|Reading)' || true; }
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" |
  { grep --line-buffered -E '^(Unpacking|Setting up)' || true; }
