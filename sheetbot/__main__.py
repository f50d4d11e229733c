from sheetbot.cli import main

main()
