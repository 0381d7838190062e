#!/usr/bin/env node
// Checked in so npm links the `cocoon` bin at install time, before `prepare` builds dist/.
import '../dist/cli/index.js'
