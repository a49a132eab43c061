
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hephaestus' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hephaestus'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hephaestus' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output; NO_COLOR in the environment also turns color off')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write an annotated hephaestus.yaml (owner/repository prefilled from the git origin)')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Read finished log files and report incidents; exit 1 if one tripped')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow logs live (stdin, or files like `tail -F`) and report incidents as they trip')
            [CompletionResult]::new('patterns', 'patterns', [CompletionResultType]::ParameterValue, 'Show the message templates mined from logs')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), of hephaestus or of one of its commands')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hephaestus;init' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the configuration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the configuration')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output; NO_COLOR in the environment also turns color off')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite the file if it exists')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hephaestus;analyze' {
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Read at most SIZE bytes of each input (after decompression), e.g. 500MB, 2GiB; the rest of an input is skipped with a warning [default: no limit for files and pipes, 1GiB for devices like /dev/zero]')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Repository the fixes are proposed for [default: the git repository containing the current directory]. Repeat as SERVICE=DIR to send each service''s fixes to its own repository: an entry whose service, unit, container or logger is SERVICE goes to DIR (see `repos:` in the config for log-path globs)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--patch-out', '--patch-out', [CompletionResultType]::ParameterName, 'Also write the proposed fixes to FILE as one patch, for `git apply` (at the end of the run)')
            [CompletionResult]::new('--threshold-level', '--threshold-level', [CompletionResultType]::ParameterName, 'Lowest level that counts towards a threshold (trace, debug, info, notice, warn, error, critical)')
            [CompletionResult]::new('--threshold-count', '--threshold-count', [CompletionResultType]::ParameterName, 'How many entries of one kind within the window trip an incident')
            [CompletionResult]::new('--threshold-window', '--threshold-window', [CompletionResultType]::ParameterName, 'Length of the sliding window, e.g. 30s, 5m, 1h')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'suggest: print the patch; deploy: commit it on a branch and open a pull request')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output; NO_COLOR in the environment also turns color off')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --mode deploy: print the branch, commit and requests a deploy would make; change nothing')
            [CompletionResult]::new('--show-prompt', '--show-prompt', [CompletionResultType]::ParameterName, 'Print the request fix.llm would send to the model for each incident, after redaction, and send nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hephaestus;watch' {
            [CompletionResult]::new('--poll', '--poll', [CompletionResultType]::ParameterName, 'Poll files for changes every INTERVAL (1s if not given: --poll or --poll=500ms) instead of using inotify (network filesystems, containers)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Do not follow files matching GLOB (repeatable)')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where read positions and deploy records are kept, so a restart goes on where it stopped; one watch at a time per directory [default: state_dir from the config, else $XDG_STATE_HOME/hephaestus or ~/.local/state/hephaestus]')
            [CompletionResult]::new('--idle-flush', '--idle-flush', [CompletionResultType]::ParameterName, 'Hand on an unfinished line or entry after its source is quiet this long')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Repository the fixes are proposed for [default: the git repository containing the current directory]. Repeat as SERVICE=DIR to send each service''s fixes to its own repository: an entry whose service, unit, container or logger is SERVICE goes to DIR (see `repos:` in the config for log-path globs)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--patch-out', '--patch-out', [CompletionResultType]::ParameterName, 'Also write the proposed fixes to FILE as one patch, for `git apply` (at the end of the run)')
            [CompletionResult]::new('--threshold-level', '--threshold-level', [CompletionResultType]::ParameterName, 'Lowest level that counts towards a threshold (trace, debug, info, notice, warn, error, critical)')
            [CompletionResult]::new('--threshold-count', '--threshold-count', [CompletionResultType]::ParameterName, 'How many entries of one kind within the window trip an incident')
            [CompletionResult]::new('--threshold-window', '--threshold-window', [CompletionResultType]::ParameterName, 'Length of the sliding window, e.g. 30s, 5m, 1h')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'suggest: print the patch; deploy: commit it on a branch and open a pull request')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output; NO_COLOR in the environment also turns color off')
            [CompletionResult]::new('--no-echo', '--no-echo', [CompletionResultType]::ParameterName, 'Do not pass stdin on to stdout (by default it is echoed byte for byte, like tee)')
            [CompletionResult]::new('--from-start', '--from-start', [CompletionResultType]::ParameterName, 'Read files that exist at start from their beginning instead of their end (files with a checkpoint go on from it)')
            [CompletionResult]::new('--follow-symlinks', '--follow-symlinks', [CompletionResultType]::ParameterName, 'Read files through symbolic links (by default a link, given or matched by a glob, is skipped with a warning)')
            [CompletionResult]::new('--emit-entries', '--emit-entries', [CompletionResultType]::ParameterName, 'With --format json, also print every parsed entry as a {"type":"entry",...} line')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --mode deploy: print the branch, commit and requests a deploy would make; change nothing')
            [CompletionResult]::new('--show-prompt', '--show-prompt', [CompletionResultType]::ParameterName, 'Print the request fix.llm would send to the model for each incident, after redaction, and send nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hephaestus;patterns' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output; NO_COLOR in the environment also turns color off')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Treat every line as one message: no format parsing, no multi-line joining')
            [CompletionResult]::new('--per-line', '--per-line', [CompletionResultType]::ParameterName, 'Print the pattern of every entry instead of the table')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hephaestus;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output; NO_COLOR in the environment also turns color off')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hephaestus;man' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $HEPHAESTUS_CONFIG, else hephaestus.yaml found here or above]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output; NO_COLOR in the environment also turns color off')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (repeat for more)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hephaestus;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write an annotated hephaestus.yaml (owner/repository prefilled from the git origin)')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Read finished log files and report incidents; exit 1 if one tripped')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Follow logs live (stdin, or files like `tail -F`) and report incidents as they trip')
            [CompletionResult]::new('patterns', 'patterns', [CompletionResultType]::ParameterValue, 'Show the message templates mined from logs')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the manual page (roff), of hephaestus or of one of its commands')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hephaestus;help;init' {
            break
        }
        'hephaestus;help;analyze' {
            break
        }
        'hephaestus;help;watch' {
            break
        }
        'hephaestus;help;patterns' {
            break
        }
        'hephaestus;help;completions' {
            break
        }
        'hephaestus;help;man' {
            break
        }
        'hephaestus;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
