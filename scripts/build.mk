# SPDX-License-Identifier: GPL-3.0-or-later
# Helper scripts: nothing to build; runners are called from test and bench rules.

demo: deps
	$(Q)scripts/demo
