#!/usr/bin/env bash
# Validates docker-compose.yml and Dockerfile without a Docker daemon, with tools from package
# registries only:
#   1. check-jsonschema (PyPI) against the Compose Specification's JSON schema, which it ships;
#   2. compose-go (Go modules), the loader `docker compose config` itself uses: interpolation,
#      `${VAR:?}` checks, references between services, volumes and configs, for each profile;
#   3. BuildKit's Dockerfile parser and build checks (Go modules), as in `docker build --check`.
# Steps 2 and 3 need Go and are skipped, with a notice, where it is missing.
# Usage: scripts/validate-compose.sh   (tools are cached in ${VALIDATE_COMPOSE_CACHE:-/tmp/validate-compose})
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${VALIDATE_COMPOSE_CACHE:-/tmp/validate-compose}"
mkdir -p "$cache"

echo '1. Compose Specification schema (check-jsonschema)'
if [ ! -x "$cache/venv/bin/check-jsonschema" ]; then
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install --quiet 'check-jsonschema==0.39.0'
fi
"$cache/venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$root/docker-compose.yml"

if ! command -v go >/dev/null; then
  echo 'Go not found: steps 2 and 3 skipped.'
  exit 0
fi

build_go_tool() { # name, module@version; the program's source comes on stdin
  local dir="$cache/$1"
  if [ ! -x "$dir/$1" ]; then
    mkdir -p "$dir"
    cat >"$dir/main.go"
    (cd "$dir" && rm -f go.mod go.sum && go mod init "$1" >/dev/null 2>&1 && go get "$2" >/dev/null 2>&1 &&
      go mod tidy >/dev/null 2>&1 && go build -o "$1" .)
  else
    cat >/dev/null
  fi
}

build_go_tool compose-load github.com/compose-spec/compose-go/v2@v2.16.2 <<'GO'
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

// compose-load FILE [PROFILE...]: loads the project as `docker compose config` would.
func main() {
	opts, err := cli.NewProjectOptions(os.Args[1:2], cli.WithOsEnv, cli.WithProfiles(os.Args[2:]))
	if err == nil {
		var p interface{ ServiceNames() []string }
		p, err = opts.LoadProject(context.Background())
		if err == nil {
			fmt.Println("   services:", p.ServiceNames())
			return
		}
	}
	fmt.Fprintln(os.Stderr, "  ", err)
	os.Exit(1)
}
GO

build_go_tool dockerfile-check github.com/moby/buildkit@v0.34.2 <<'GO'
package main

import (
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	ast, err := parser.Parse(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, "   parse error:", err)
		os.Exit(1)
	}
	problems := len(ast.Warnings)
	for _, w := range ast.Warnings {
		fmt.Println("   warning:", w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, _ []parser.Range) {
		problems++
		fmt.Printf("   %s: %s\n", rule, msg)
	}})
	stages, _, err := instructions.Parse(ast.AST, lint)
	if err != nil {
		fmt.Fprintln(os.Stderr, "   error:", err)
		os.Exit(1)
	}
	for _, s := range stages {
		fmt.Printf("   stage %s FROM %s\n", s.Name, s.BaseName)
	}
	if problems > 0 {
		os.Exit(1)
	}
}
GO

load="$cache/compose-load/compose-load"
placeholder_secrets=(DESKWORKS_WEBHOOK_SECRET=validate-compose-secret ADMIN_TOKEN=validate-compose-token PAYLOAD_ENCRYPTION_KEYS=validate-compose-key SALTO_KS_CONNECTION_KEY=validate-compose-connection-key-0123456789)

echo '2. Compose project (compose-go), default profile and profile "simulator"'
env "${placeholder_secrets[@]}" "$load" "$root/docker-compose.yml"
env "${placeholder_secrets[@]}" "$load" "$root/docker-compose.yml" simulator
for required in DESKWORKS_WEBHOOK_SECRET ADMIN_TOKEN PAYLOAD_ENCRYPTION_KEYS SALTO_KS_CONNECTION_KEY; do
  if env "${placeholder_secrets[@]}" "$required=" "$load" "$root/docker-compose.yml" 2>/dev/null; then
    echo "   $required is not required, but should be" >&2
    exit 1
  fi
  echo "   refused without $required, as it should"
done

echo '3. Dockerfile (BuildKit parser and checks)'
"$cache/dockerfile-check/dockerfile-check" "$root/Dockerfile"
echo 'docker-compose.yml and Dockerfile are valid.'
