#!/usr/bin/env bash
# Java for Spark (make setup-spark): PySpark 4 runs on Java 17 or later. When `java` is missing or
# older, install Debian's openjdk-17-jre-headless (as root, or through sudo). Prints the version used.
set -euo pipefail

major() {
    java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

if ! command -v java >/dev/null 2>&1 || [ "$(major)" -lt 17 ]; then
    echo "java.sh: installing Debian's openjdk-17-jre-headless for Spark"
    if [ "$(id -u)" = "0" ]; then APT=(apt-get); else APT=(sudo apt-get); fi
    "${APT[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq openjdk-17-jre-headless >/dev/null
fi
echo "java.sh: Java $(major) for Spark"
