from tasksync.cli import main

main()
