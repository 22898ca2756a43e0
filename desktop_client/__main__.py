from desktop_client.cli import main

raise SystemExit(main())
