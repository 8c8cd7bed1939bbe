complete --keep-order --exclusive --command unhunch --arguments "(COMPLETE=fish unhunch -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
