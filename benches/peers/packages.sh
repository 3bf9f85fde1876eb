# Sourced by the peer scripts: `need_packages NAME PKG...` installs the Debian
# packages that are missing (as root, or through sudo), refreshing the
# package lists only when something has to be installed. NAME prefixes the
# messages; `die` must be defined by the caller.
need_packages() {
    local name="$1" pkg
    shift
    local missing=()
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "missing ${missing[*]}: run as root or install sudo"
        sudo=(sudo)
    fi
    echo "$name: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}
