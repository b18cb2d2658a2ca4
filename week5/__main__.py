import sys

from week5.cli import main

sys.exit(main())
