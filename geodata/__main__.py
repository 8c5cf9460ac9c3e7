from geodata.cli.main import entry

entry()
