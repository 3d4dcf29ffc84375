"""Exit 0 when the PostgreSQL database at the URL given as the only argument answers, else 1."""

import sys

import psycopg


def main() -> int:
    url = sys.argv[1]
    try:
        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
