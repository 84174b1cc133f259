from studyapp.cli import main

main()
