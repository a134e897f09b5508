import sys

from translator_pipeline.cli.main import main

sys.exit(main())
