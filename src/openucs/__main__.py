from openucs.cli import main

main()
