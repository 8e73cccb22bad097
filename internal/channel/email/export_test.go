package email

func init() { recoverPanics = false }
