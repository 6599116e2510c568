from frugal_lsp.cli import main

raise SystemExit(main())
