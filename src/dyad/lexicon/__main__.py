import sys

from dyad.lexicon import main

sys.exit(main())
