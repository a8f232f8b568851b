package session

import (
	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Links is the link builder for a person's settings (link style, gateway
// override when it is in use: storage.Settings.GatewayInUse) that also
// knows the gateways of envs: the environment signed in to, whose gateway
// URL may be its own, and the Local sandbox of this run, whose port
// changes every run.
func Links(settings storage.Settings, envs ...api.Environment) api.Links {
	l := api.Links{Style: settings.LinkStyle, Override: settings.GatewayInUse(), NoFilename: !settings.LinkFilename,
		Gateways: map[string]string{}}
	for _, env := range envs {
		if env.GatewayURL != "" {
			l.Gateways[env.Key()] = env.GatewayURL
		}
	}
	return l
}
