package session

import (
	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Links is the link builder for a person's settings (link style, gateway
// override when it is in use: GatewayInUse) that also
// knows the gateways of envs: the environment signed in to, whose gateway
// URL may be its own, and the Local sandbox of this run, whose port
// changes every run.
func Links(settings storage.Settings, envs ...api.Environment) api.Links {
	l := api.Links{Style: settings.LinkStyle, Override: GatewayInUse(settings), NoFilename: !settings.LinkFilename,
		Gateways: map[string]string{}}
	for _, env := range envs {
		if env.GatewayURL != "" {
			l.Gateways[env.Key()] = env.GatewayURL
		}
	}
	return l
}

// GatewayInUse is the gateway override links use: the one saved in
// settings when Settings would take it as it is now (api.CheckOverride),
// else "" (the environment's gateway). One an older version saved that
// Settings now refuses (a tab, a space or an invisible character inside
// it, a user name or password before its host, a file's link in place of
// a gateway) is kept for Settings to show with what to do, but no link is
// built on it: links would end early, carry a password to whoever gets
// them, or lead under a file, to nothing.
func GatewayInUse(settings storage.Settings) string {
	gw, err := api.CheckOverride(settings.GatewayOverride)
	if err != nil {
		return ""
	}
	return gw
}
