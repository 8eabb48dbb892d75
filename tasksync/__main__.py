from tasksync.cli.main import main

main()
