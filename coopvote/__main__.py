from coopvote.cli import main

main()
