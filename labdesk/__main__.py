from labdesk.cli import main

main()
