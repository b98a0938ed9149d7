rem A game server admin's ban list: everything from one address, any port, any protocol.
ipsecpol -w REG -p "Bad Rcon Traffic" -r "Ban 203.0.113.66" -f 203.0.113.66:*:*+* -n BLOCK -x
ipsecpol -w REG -p "Bad Rcon Traffic" -r "Ban 203.0.113.67" -f 203.0.113.67+*:*:* -n BLOCK
rem a destination port with an empty protocol: any protocol
ipsecpol -w REG -p "Bad Rcon Traffic" -r "Ban Baidu" -f 0/255.255.255.255=198.51.100.5/255.255.255.255:: -n BLOCK
rem expect: DROP in udp 203.0.113.66:27015 me:27015
rem expect: DROP out tcp me:40000 203.0.113.66:80
rem expect: DROP in tcp 203.0.113.67:40000 me:22
rem expect: DROP out icmp me 198.51.100.5 type 8 code 0
rem expect: PASS in udp 203.0.113.68:27015 me:27015
