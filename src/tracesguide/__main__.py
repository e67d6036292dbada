from tracesguide.cli import main

main()
