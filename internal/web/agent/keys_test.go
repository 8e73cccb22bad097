package agent_test

import "regexp"

// untranslated finds a message key printed as itself (the catalogs lack
// it) in a page of the workspace.
var untranslated = regexp.MustCompile(`[>"\s]\s*(admin|profile|vf|bulk|search|view|col|status|priority|channel|agent|common|error)\.[a-z_]+(\.[a-z_]+)*\s*[<"\s]`)
