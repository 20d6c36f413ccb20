from twofront.cli import main

main()
