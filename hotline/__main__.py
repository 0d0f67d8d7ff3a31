"""`python -m hotline` is the `hotline` command."""

from hotline.cli import main

if __name__ == "__main__":
    main()
