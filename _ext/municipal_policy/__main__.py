import sys

from municipal_policy.build import main

sys.exit(main())
