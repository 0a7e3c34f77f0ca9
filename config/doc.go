// Package config loads the settings of the tweetflow producer and worker from
// the environment and reads the file that lists which tweets to collect.
//
// Load turns the environment into a validated Config, resolving Docker-style
// NAME_FILE secrets first; LoadSources reads the sources file. Every problem
// is reported in one line that names the variable or file line and says what
// to do, and no secret value ever appears in an error or in a printed Config.
package config
