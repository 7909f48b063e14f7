"""Allow ``python -m anonymize``."""

from anonymize.cli import main

if __name__ == "__main__":
    main()
