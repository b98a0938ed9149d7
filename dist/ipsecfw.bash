# SPDX-License-Identifier: MIT
# bash completion for ipsecfw(8)
_ipsecfw()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local first="" i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--db|--facts|--facts-root|-f) ((i++));;
		-*) ;;
		*) first=${COMP_WORDS[i]}; break;;
		esac
	done
	case $prev in
	--db|--facts|-f|-o|--output) COMPREPLY=($(compgen -f -- "$cur")); return;;
	--facts-root|--log-dir) COMPREPLY=($(compgen -d -- "$cur")); return;;
	--format) COMPREPLY=($(compgen -W "w3c csv json" -- "$cur")); return;;
	esac
	if [[ -z $first ]]; then
		COMPREPLY=($(compgen -W "static dynamic pol test replay analyze show ike apply boot unload
			confirm log gpo --db -j -f -k --keep-going --facts --facts-root --help --version" -- "$cur"))
		return
	fi
	local n=$((COMP_CWORD - i))
	case $first in
	static)
		case $n in
		1) COMPREPLY=($(compgen -W "add set delete show restore exportpolicy importpolicy dump" -- "$cur"));;
		2) COMPREPLY=($(compgen -W "policy filterlist filter filteraction rule store all
			defaultrule batch gpoassignedpolicy defaults" -- "$cur"));;
		*) COMPREPLY=($(compgen -W "name= description= filterlist= filteraction= policy=
			srcaddr= dstaddr= srcmask= dstmask= protocol= srcport= dstport= mirrored=
			action= assign= confirm= location= icmptype= icmpcode= conntype= activate=" -- "$cur"));;
		esac;;
	dynamic)
		case $n in
		1) COMPREPLY=($(compgen -W "add set delete show" -- "$cur"));;
		2) COMPREPLY=($(compgen -W "config rule mmpolicy qmpolicy all mmfilter qmfilter
			stats sas" -- "$cur"));;
		3) [[ ${COMP_WORDS[COMP_CWORD - 1]} == config ]] &&
			COMPREPLY=($(compgen -W "ipsecdiagnostics ipsecloginterval ipsecexempt bootmode
				bootexemptions ikelogging strongcrlcheck filtercounters" -- "$cur")) ||
			COMPREPLY=($(compgen -W "name= srcaddr= dstaddr= mmpolicy= qmpolicy= protocol=
				srcport= dstport= mirrored= actioninbound= actionoutbound= type=" -- "$cur"));;
		*) COMPREPLY=($(compgen -W "name= srcaddr= dstaddr= mmpolicy= qmpolicy= protocol=
			srcport= dstport= mirrored= actioninbound= actionoutbound= srcmask= dstmask=
			conntype= type=" -- "$cur"));;
		esac;;
	confirm) COMPREPLY=($(compgen -W "--watch" -- "$cur"));;
	gpo) [[ $n == 1 ]] && COMPREPLY=($(compgen -W "show assign unassign" -- "$cur")) ||
		COMPREPLY=($(compgen -W "gpo= policy= domain=" -- "$cur"));;
	show) COMPREPLY=($(compgen -W "facts table ike mode stats" -- "$cur"));;
	ike) [[ $n == 1 ]] && COMPREPLY=($(compgen -W "load sas" -- "$cur")) ||
		COMPREPLY=($(compgen -W "--vici" -- "$cur"));;
	test) COMPREPLY=($(compgen -W "--frag --iface in out tcp udp icmp me any" -- "$cur"));;
	apply) COMPREPLY=($(compgen -W "--dry-run" -- "$cur"));;
	replay) COMPREPLY=($(compgen -W "--each" -- "$cur") $(compgen -f -- "$cur"));;
	log)
		[[ $n == 1 ]] && COMPREPLY=($(compgen -W "export" -- "$cur")) ||
			COMPREPLY=($(compgen -W "--format --since --until --evt-fields --output
				--log-dir -j" -- "$cur"));;
	esac
}
complete -F _ipsecfw ipsecfw
