# Kernel config helpers shared by make-config.sh and build-mainline.sh.
# Sourced, not run.

# config_unstuck CONFIG FRAGMENT...: print one line per option that a
# fragment asks for and that CONFIG (a merged, olddefconfig'd .config)
# does not have, as "FRAGMENT: CONFIG_X=v requested, got w" or
# "FRAGMENT: CONFIG_X off requested, got w". Prints nothing if all stuck.
config_unstuck() {
	awk '
		FNR == NR {
			if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
				i = index($0, "="); have[substr($0, 1, i - 1)] = substr($0, i + 1)
			}
			next
		}
		/^CONFIG_[A-Za-z0-9_]+=/ {
			i = index($0, "="); k = substr($0, 1, i - 1); v = substr($0, i + 1)
			if (!(k in have) || have[k] != v)
				printf "%s: %s=%s requested, got %s\n", FILENAME, k, v,
				       (k in have) ? have[k] : "unset"
		}
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ {
			k = $2
			if ((k in have) && have[k] != "n")
				printf "%s: %s off requested, got %s\n", FILENAME, k, have[k]
		}
	' "$@"
}
