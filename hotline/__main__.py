"""`python -m hotline` is the `hotline` command."""

from hotline.cli.main import main

if __name__ == "__main__":
    main()
