from tracesguide.entry import main

main()
