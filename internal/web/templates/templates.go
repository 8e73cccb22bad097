// Package templates holds the HTML templates of the workspace and the
// portal. layout.html defines the page frames; every other file defines
// "content" (and optionally "head") for one page, named by its path
// without .html: agent/* and admin/* use the workspace frame, portal/*
// the portal frame, bare/* a frame without navigation.
package templates

import "embed"

// FS holds the templates.
//
//go:embed *.html */*.html
var FS embed.FS
